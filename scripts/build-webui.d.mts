export interface WebuiFileSize {
  file: string;
  raw: number;
  gzip?: number;
  br?: number;
}
/** Builds the WebUI into out (default dist/webui) with .gz/.br beside each compressible file; null when vite is absent. */
export function buildWebui(options?: { out?: string; quiet?: boolean }): Promise<WebuiFileSize[] | null>;
