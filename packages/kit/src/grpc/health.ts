import {
  status,
  type Server,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
} from '@grpc/grpc-js';
import type { PackageDefinition, ServiceDefinition } from '@grpc/proto-loader';

type ServingStatus = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

interface HealthRequest {
  service: string;
}

/**
 * grpc.health.v1 with real state: each registered service (and "" for the whole server) reports SERVING only
 * after start and NOT_SERVING from the moment shutdown begins, so load balancers drain before connections close.
 */
export class HealthService {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Set<{ service: string; call: ServerWritableStream<HealthRequest, unknown> }>();

  set(service: string, value: 'SERVING' | 'NOT_SERVING'): void {
    this.statuses.set(service, value);
    for (const watcher of this.watchers) {
      if (watcher.service === service) watcher.call.write({ status: value });
    }
  }

  setAll(value: 'SERVING' | 'NOT_SERVING'): void {
    for (const service of [...this.statuses.keys()]) this.set(service, value);
  }

  closeWatchers(): void {
    for (const watcher of this.watchers) watcher.call.end();
    this.watchers.clear();
  }

  addToServer(server: Server, definition: PackageDefinition): void {
    const service = definition['grpc.health.v1.Health'] as ServiceDefinition;
    server.addService(service, {
      Check: (call: ServerUnaryCall<HealthRequest, unknown>, callback: sendUnaryData<unknown>) => {
        const value = this.statuses.get(call.request.service);
        if (!value) callback({ code: status.NOT_FOUND, details: 'unknown service' });
        else callback(null, { status: value });
      },
      Watch: (call: ServerWritableStream<HealthRequest, unknown>) => {
        const watcher = { service: call.request.service, call };
        this.watchers.add(watcher);
        call.write({ status: this.statuses.get(call.request.service) ?? 'SERVICE_UNKNOWN' });
        call.on('cancelled', () => this.watchers.delete(watcher));
      },
    });
  }
}
