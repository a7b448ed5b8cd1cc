// HTTP → the certificates query. Nothing here decides anything: it checks who may ask (a
// partner only for itself) and sends the query through the bus.
import { Controller, Inject } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { requireOwnPartner } from '../auth/scope.js';
import { Caller, type CallContext } from '../http/request-context.js';
import { Input, Route, type RouteInput } from '../http/route.js';
import { GetCertificates } from './certificates.queries.js';
import { getCertificatesRoute } from './certificates.routes.js';

@Controller()
export class CertificatesController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Route(getCertificatesRoute)
  certificates(@Input() input: RouteInput<typeof getCertificatesRoute>, @Caller() call: CallContext) {
    requireOwnPartner(call.principal, input.params.id);
    return this.queries.execute(new GetCertificates({ partnerId: input.params.id }, input.query, call));
  }
}
