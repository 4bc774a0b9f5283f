import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SECRET = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2VuLXZhbHVl.not-a-signature';

/**
 * The gateway as `pnpm start` runs it (its own process, its own main), so what is checked is the log it really
 * writes. No auth service is running: a credential cannot be verified, which is one more line worth reading.
 */
describe('gateway logs', () => {
  let child: ChildProcess;
  const lines: string[] = [];
  let url: string;

  beforeAll(async () => {
    child = spawn(process.execPath, ['--import', 'tsx', main], {
      cwd: repoRoot,
      env: {
        ...process.env,
        GATEWAY_PORT: '0',
        LOG_LEVEL: 'info',
        NATS_URL: '',
        // Nothing listens there: the gateway starts without auth, and verification answers 503.
        AUTH_GRPC_ADDRESS: '127.0.0.1:9',
        GRPC_DEADLINE_MS: '500',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const reader = createInterface({ input: child.stdout! });
    url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`gateway exited with ${String(code)}`)));
      reader.on('line', (line) => {
        lines.push(line);
        const parsed = JSON.parse(line) as { msg?: string; url?: string };
        if (parsed.msg === 'gateway listening' && parsed.url) resolve(parsed.url);
      });
    });
  });

  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('writes the services’ format: ISO timestamps, numeric pino levels, the service name, tokens redacted', async () => {
    expect((await fetch(new URL('/healthz', url))).status).toBe(200);
    const refused = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${SECRET}`,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect([401, 503]).toContain(refused.status);
    await expect.poll(() => lines.filter((l) => l.includes('"request completed"')).length).toBeGreaterThanOrEqual(2);

    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => r.msg)).toEqual(expect.arrayContaining(['gateway listening', 'incoming request']));
    for (const record of records) {
      expect(record.time, JSON.stringify(record)).toMatch(ISO_TIME);
      expect(record.service).toBe('gateway');
      expect([10, 20, 30, 40, 50, 60]).toContain(record.level);
    }
    expect(lines.join('\n')).not.toContain(SECRET);
  });
});
