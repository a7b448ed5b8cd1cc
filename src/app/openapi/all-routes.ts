// Every route the API serves, for the OpenAPI document (one list, built from the modules' tables).
import { auditRoutes } from '../audit/audit.routes.js';
import { arrearsRoutes } from '../arrears/arrears.routes.js';
import { certificatesRoutes } from '../certificates/certificates.routes.js';
import { creditRoutes } from '../credit/credit.routes.js';
import { rebatesRoutes } from '../rebates/rebates.routes.js';
import { dealsRoutes } from '../deals/deals.routes.js';
import { contractsRoutes } from '../deals/contracts.routes.js';
import { transfersRoutes } from '../deals/transfers.routes.js';
import { healthRoute } from '../health/health.routes.js';
import type { RouteSpec } from '../http/route.js';
import { moneyRoutes } from '../money/money.routes.js';
import { partnersRoutes } from '../partners/partners.routes.js';
import { policiesRoutes } from '../policies/policies.routes.js';
import { reportsRoutes } from '../reports/reports.routes.js';
import { webReportRoutes } from '../web/report.routes.js';

export const allRoutes: readonly RouteSpec[] = [
  ...partnersRoutes,
  ...certificatesRoutes,
  ...dealsRoutes,
  ...contractsRoutes,
  ...transfersRoutes,
  ...moneyRoutes,
  ...creditRoutes,
  ...arrearsRoutes,
  ...rebatesRoutes,
  ...reportsRoutes,
  ...webReportRoutes,
  ...policiesRoutes,
  ...auditRoutes,
  healthRoute,
] as readonly RouteSpec[];
