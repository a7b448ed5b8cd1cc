// A command's route, derived from the command's own input schema (src/ledger/commands/): the
// path's parameters are the fields `pathFields` names (e.g. /partners/:id/deposits carries
// partnerId as `id`), the body is every other field. Nothing about a command's input is
// written twice; the controller merges params and body back into that input (commandInputOf).
import { z } from 'zod';
import { type CommandName, ledgerCommands } from '../../ledger/commands/index.js';
import { CommandEnvelope } from './answers.js';
import { DryRunQuery } from './dry-run.js';
import { defineRoute, type RouteSpec } from './route.js';

type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface CommandRouteSpec<N extends CommandName = CommandName> extends RouteSpec<AnyObject, typeof DryRunQuery, AnyObject> {
  command: N;
  /** Path parameter → the command input's field it carries. */
  pathFields: Readonly<Record<string, string>>;
}

export interface CommandRouteOptions extends Omit<RouteSpec, 'id' | 'method' | 'params' | 'query' | 'body' | 'successStatus'> {
  /** The OpenAPI operationId (default: the command's name). */
  id?: string;
  pathFields?: Readonly<Record<string, string>>;
  successStatus?: 200 | 201 | 202;
  /** The command's own answer (answers.ts); the route's answer adds `position` and `readModel` to it (CommandEnvelope). */
  response?: z.ZodType;
}

export function commandRoute<N extends CommandName>(command: N, options: CommandRouteOptions): CommandRouteSpec<N> {
  const input = ledgerCommands[command].input as unknown as AnyObject;
  const pathFields = options.pathFields ?? {};
  const params: Record<string, z.ZodType> = {};
  const mask: Record<string, true> = {};
  for (const [param, field] of Object.entries(pathFields)) {
    const schema = input.shape[field];
    if (!schema) throw new Error(`route ${options.path}: command ${command} has no field ${field}`);
    if (!options.path.includes(`:${param}`)) throw new Error(`route ${options.path}: no :${param} in the path`);
    params[param] = schema as z.ZodType;
    mask[field] = true;
  }
  const route = defineRoute({
    ...options,
    id: options.id ?? command,
    method: 'POST',
    ...(Object.keys(params).length > 0 ? { params: z.strictObject(params) as unknown as AnyObject } : {}),
    query: DryRunQuery,
    body: input.omit(mask) as unknown as AnyObject,
    successStatus: options.successStatus ?? 201,
    response: options.response ? z.intersection(options.response, CommandEnvelope) : CommandEnvelope,
  });
  return { ...route, command, pathFields };
}
