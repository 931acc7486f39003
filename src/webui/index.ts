/** The WebUI: the built single-page app held in memory and served under /webui. */
export {
  CONTENT_SECURITY_POLICY,
  defaultWebuiDir,
  type Encoding,
  IMMUTABLE,
  loadWebuiAssets,
  REVALIDATE,
  WEBUI_PREFIX,
  type WebuiAsset,
  type WebuiAssets,
  type WebuiVariant,
} from './assets.js';
export { answer, isWebuiPath, pickEncoding, resolveAsset, serveWebuiRaw, type WebuiAnswer, webuiRoutes } from './serve.js';
export { driverModules, schemaTree, type YangModuleTree, type YangTreeAnswer, type YangTreeNode, yangTreeRoutes } from './yang-tree.js';
