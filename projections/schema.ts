// The read models: one module per projection, in the order the writer applies them, each with its
// own group of tables, so one projection can be dropped and rebuilt alone. Temporal rows are
// keyed by entity and log position and carry both clocks, so an answer about any cut reads an
// index range of one entity, never the whole log.
import { balancesProjection } from './balances.js';
import { clockProjection } from './clock.js';
import { ownershipProjection } from './ownership.js';
import { partnersProjection } from './partners.js';
import { pipelineProjection } from './pipeline.js';
import type { ProjectionModule } from './projection.js';
import { rebatesProjection } from './rebates.js';
import { statementsProjection } from './statements.js';

export const projectionNames = ['clock', 'partners', 'balances', 'ownership', 'pipeline', 'statements', 'rebates'] as const;
export type ProjectionName = (typeof projectionNames)[number];

/**
 * The layout of the meta and checkpoint tables: bumping it drops every projection and rebuilds
 * the whole file at start, before serving. When one projection's tables change (shape or
 * meaning), bump that module's `version` instead: it alone is rebuilt beside the live tables
 * while the server serves (rebuild-beside.ts).
 */
export const readModelSchemaVersion = 11;

export const metaTables = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (projection TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID;
`;

/** Every projection: its tables, indexes, write statements and applier. */
export const projectionModules: Record<ProjectionName, ProjectionModule> = {
  clock: clockProjection,
  partners: partnersProjection,
  balances: balancesProjection,
  ownership: ownershipProjection,
  pipeline: pipelineProjection,
  statements: statementsProjection,
  rebates: rebatesProjection,
};
