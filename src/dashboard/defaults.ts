/** @module The dashboard's defaults, apart from its server so the CLI can show them without loading hono. */
export const DEFAULT_PORT = 8642;
