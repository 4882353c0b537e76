/** The queue tests' throwaway redis-server (src/distributed/throwawayRedis.ts, shared with the bench). */
export * from '../../src/distributed/throwawayRedis.js';
