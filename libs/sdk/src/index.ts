// @app/sdk: a typed client for the Bulk REST service, generated from openapi.json (see ./schema.d.ts).
// Standalone: depends only on openapi-fetch and Node.js built-ins (Node ≥ 20.19).
export * from './client';
export * from './errors';
export * from './retry';
export * from './paginate';
export * from './wait-for-job';
export * from './webhooks';
export * from './bulk-upload';
export * from './rate-limit';
export * from './types';
export type { paths, components, operations } from './schema';
