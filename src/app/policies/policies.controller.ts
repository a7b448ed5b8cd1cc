// HTTP → the policies command and queries. Nothing here decides anything.
import { Controller, Inject } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { commandOf } from '../core/ledger-command.js';
import { Caller, type CallContext } from '../http/request-context.js';
import { Input, Route, type RouteInput } from '../http/route.js';
import { AdoptPolicy } from './policies.commands.js';
import { DiffPolicy, GetPolicy, ListPolicies } from './policies.queries.js';
import { adoptPolicyRoute, diffPolicyRoute, getPolicyRoute, listPoliciesRoute } from './policies.routes.js';

@Controller()
export class PoliciesController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
  ) {}

  @Route(adoptPolicyRoute)
  adopt(@Input() input: RouteInput<typeof adoptPolicyRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(AdoptPolicy, adoptPolicyRoute, input, call));
  }

  @Route(listPoliciesRoute)
  list(@Input() input: RouteInput<typeof listPoliciesRoute>, @Caller() call: CallContext) {
    return this.queries.execute(new ListPolicies({}, { asOf: input.query.asOf }, call));
  }

  @Route(getPolicyRoute)
  get(@Input() input: RouteInput<typeof getPolicyRoute>, @Caller() call: CallContext) {
    return this.queries.execute(new GetPolicy({ version: input.params.version }, { asOf: input.query.asOf }, call));
  }

  @Route(diffPolicyRoute)
  diff(@Input() input: RouteInput<typeof diffPolicyRoute>, @Caller() call: CallContext) {
    return this.queries.execute(new DiffPolicy({ version: input.params.version, against: input.query.against }, { asOf: input.query.asOf }, call));
  }
}
