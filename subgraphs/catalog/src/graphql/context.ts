import type { RequestContext } from "@fixup/platform";
import type { CatalogLoaders, CatalogService } from "../service/catalog-service.js";

export interface CatalogContext extends RequestContext {
  catalog: CatalogService;
  loaders: CatalogLoaders;
}
