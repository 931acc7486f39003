export {
  ApiError,
  type ClientOptions,
  CnsdnClient,
  ConnectionError,
  DEFAULT_TIMEOUT_MS,
  type DescriptorReport,
  type Problem,
  type ProblemError,
  type RequestOptions,
  ResponseError,
  TimeoutError,
  type TfsObject,
} from './client.js';
export { formatTable, NameBook } from './table.js';
export { run } from './program.js';
export type { CliIO, Writer } from './io.js';
