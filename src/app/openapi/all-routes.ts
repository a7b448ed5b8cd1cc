// Every route the API serves, for the OpenAPI document (one list, built from the modules' tables).
import type { RouteSpec } from '../http/route.js';
import { healthRoute } from '../health/health.routes.js';
import { partnersRoutes } from '../partners/partners.routes.js';
import { webReportRoutes } from '../web/report.routes.js';

export const allRoutes: readonly RouteSpec[] = [...partnersRoutes, ...webReportRoutes, healthRoute] as readonly RouteSpec[];
