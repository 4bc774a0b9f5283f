import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/**
 * The V8 CPU profiler of this process (what `node --cpu-prof` runs), started and stopped on request so that a
 * profile covers only a measured window and not start-up. Writes a `.cpuprofile` file (Chrome DevTools format).
 */
export function createProfiler() {
  let session: Session | null = null;
  return {
    async start({ intervalUs = 250 }: { intervalUs?: number } = {}): Promise<void> {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
      await session.post('Profiler.start');
    },
    async stop({ file }: { file: string }): Promise<string> {
      if (!session) throw new Error('profiler not started');
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      session = null;
      writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}
