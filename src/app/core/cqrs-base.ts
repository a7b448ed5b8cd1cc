// The shapes every capability's commands and queries share. A controller builds one of these
// from the parsed input and sends it through the CommandBus / QueryBus; its handler calls the
// ledger's command or query function.
import { Command, Query } from '@nestjs/cqrs';
import type { CallContext } from '../http/request-context.js';
import type { TimeQueryInput } from '../http/api-schemas.js';

/** A command sent by an HTTP request: the validated body (plus path ids) and who sent it. */
export abstract class ApiCommand<I, R> extends Command<R> {
  constructor(
    readonly input: I,
    readonly call: CallContext,
  ) {
    super();
  }
}

/** A query with the two clocks of every read. */
export abstract class ApiQuery<I, R> extends Query<R> {
  constructor(
    readonly input: I,
    readonly time: TimeQueryInput,
    readonly call: CallContext,
  ) {
    super();
  }
}
