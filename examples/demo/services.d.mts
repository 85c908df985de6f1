// Types for the TypeScript tests that start the demo services.
export interface ServiceTracers<T = unknown> {
  gateway: T;
  inventory: T;
  pricing: T;
}
export interface ServiceAdapters {
  express: { auditTracing: (options?: any) => unknown; auditTracingErrorHandler: () => unknown };
  koa: { auditTracing: (options?: any) => unknown };
  fastify: { auditTracing: unknown };
}
export interface RunningServices {
  gatewayUrl: string;
  inventoryUrl: string;
  pricingUrl: string;
  close(): Promise<void>;
}
export declare function startServices(deps: { tracers: ServiceTracers; adapters: ServiceAdapters }): Promise<RunningServices>;
export declare function tracerOfCaller<T extends { resource: { serviceName: string } }>(tracers: ServiceTracers<T>): (parent: unknown) => T;
