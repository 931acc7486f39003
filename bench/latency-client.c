/*
 * Closed-loop HTTP/1.1 keep-alive load with per-request latency, as each client sees it.
 *
 * wrk corrects its latency histogram for coordinated omission against its own mean request
 * interval (stats_correct): with one connection at ~10k req/s that interval is ~0.1 ms, so a
 * single 10 ms pause becomes ~100 synthetic samples, and its percentiles describe an open-loop
 * client at the server's saturation rate, not the requests that were sent. This client records
 * each request's own time (write to last body byte) and nothing else.
 *
 * Usage: latency-client HOST PORT CONNECTIONS SECONDS PATHS_FILE [HEADER_LINE]
 * Prints one line: LAT {"requests":N,"errors":N,"duration_us":N,"p50":us,"p90":us,"p99":us,"p999":us,"max":us}
 * Responses must carry Content-Length (the controller's do); anything else counts as an error and
 * closes the run.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF 262144

typedef struct {
  int fd;
  char *req;
  size_t req_len, sent;
  char buf[BUF];
  size_t have;
  uint64_t start;
  size_t next_path;
} conn;

static char **paths;
static size_t npaths;
static const char *host_header;
static const char *extra_header;
static uint64_t *lat;
static size_t nlat, caplat;
static uint64_t errors;

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void die(const char *what) {
  perror(what);
  exit(2);
}

static void record(uint64_t ns) {
  if (nlat == caplat) {
    caplat = caplat ? caplat * 2 : 1 << 20;
    lat = realloc(lat, caplat * sizeof *lat);
    if (!lat) die("realloc");
  }
  lat[nlat++] = ns;
}

static void prepare(conn *c) {
  const char *path = paths[c->next_path];
  c->next_path = (c->next_path + 1) % npaths;
  free(c->req);
  if (asprintf(&c->req, "GET %s HTTP/1.1\r\nHost: %s\r\n%s%s\r\n", path, host_header, extra_header, *extra_header ? "\r\n" : "") < 0) die("asprintf");
  c->req_len = strlen(c->req);
  c->sent = 0;
  c->have = 0;
}

static void send_some(conn *c) {
  if (c->sent == 0) c->start = now_ns();
  while (c->sent < c->req_len) {
    ssize_t n = write(c->fd, c->req + c->sent, c->req_len - c->sent);
    if (n < 0) {
      if (errno == EAGAIN) return;
      die("write");
    }
    c->sent += (size_t)n;
  }
}

/* 1 when a whole response is in the buffer (then it is consumed), 0 when more is needed. */
static int take_response(conn *c) {
  char *end = memmem(c->buf, c->have, "\r\n\r\n", 4);
  if (!end) return 0;
  size_t head = (size_t)(end - c->buf) + 4;
  long length = -1;
  for (char *p = c->buf; p < end; p++) {
    if ((p == c->buf || p[-1] == '\n') && strncasecmp(p, "content-length:", 15) == 0) length = strtol(p + 15, NULL, 10);
  }
  if (length < 0) {
    fprintf(stderr, "response without content-length\n");
    exit(2);
  }
  if (c->have < head + (size_t)length) return 0;
  if (strncmp(c->buf, "HTTP/1.1 200", 12) != 0) errors++;
  memmove(c->buf, c->buf + head + length, c->have - head - (size_t)length);
  c->have -= head + (size_t)length;
  return 1;
}

static int cmp(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static uint64_t pct(double p) {
  size_t i = (size_t)(p * (double)nlat);
  if (i >= nlat) i = nlat - 1;
  return lat[i] / 1000;
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: %s HOST PORT CONNECTIONS SECONDS PATHS_FILE [HEADER_LINE]\n", argv[0]);
    return 2;
  }
  host_header = argv[1];
  int port = atoi(argv[2]), nconn = atoi(argv[3]);
  double seconds = atof(argv[4]);
  extra_header = argc > 6 ? argv[6] : "";
  FILE *f = fopen(argv[5], "r");
  if (!f) die("paths file");
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    if (!*line) continue;
    paths = realloc(paths, (npaths + 1) * sizeof *paths);
    paths[npaths++] = strdup(line);
  }
  fclose(f);
  if (npaths == 0 || nconn < 1) return 2;

  int ep = epoll_create1(0);
  conn *cs = calloc((size_t)nconn, sizeof *cs);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) die("address");
  for (int i = 0; i < nconn; i++) {
    conn *c = &cs[i];
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    c->next_path = ((size_t)i * 7919) % npaths;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) die("epoll_ctl");
    prepare(c);
    send_some(c);
  }
  uint64_t t0 = now_ns(), stop = t0 + (uint64_t)(seconds * 1e9);
  struct epoll_event evs[64];
  while (now_ns() < stop) {
    int n = epoll_wait(ep, evs, 64, 100);
    for (int k = 0; k < n; k++) {
      conn *c = evs[k].data.ptr;
      if (evs[k].events & EPOLLOUT) send_some(c);
      if (!(evs[k].events & EPOLLIN)) continue;
      for (;;) {
        if (c->have == BUF) {
          fprintf(stderr, "response larger than %d bytes\n", BUF);
          return 2;
        }
        ssize_t r = read(c->fd, c->buf + c->have, BUF - c->have);
        if (r < 0 && errno == EAGAIN) break;
        if (r <= 0) die("read (server closed the connection)");
        c->have += (size_t)r;
        while (take_response(c)) {
          record(now_ns() - c->start);
          prepare(c);
          send_some(c);
        }
      }
    }
  }
  uint64_t dur = (now_ns() - t0) / 1000;
  if (nlat == 0) {
    fprintf(stderr, "no response completed\n");
    return 2;
  }
  qsort(lat, nlat, sizeof *lat, cmp);
  printf("LAT {\"requests\":%zu,\"errors\":%llu,\"duration_us\":%llu,\"p50\":%llu,\"p90\":%llu,\"p99\":%llu,\"p999\":%llu,\"max\":%llu}\n", nlat, (unsigned long long)errors,
         (unsigned long long)dur, (unsigned long long)pct(0.5), (unsigned long long)pct(0.9), (unsigned long long)pct(0.99), (unsigned long long)pct(0.999),
         (unsigned long long)(lat[nlat - 1] / 1000));
  return 0;
}
