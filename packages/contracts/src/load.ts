import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';

export type PackageDefinition = protoLoader.PackageDefinition;
/** A protobufjs reflection root with comments and custom options: the contract as the validator reads it. */
export type ReflectionRoot = protobuf.Root;
import protobuf from 'protobufjs';
import { PROTO_ROOT, listProtoFiles } from './proto-files';

const require = createRequire(import.meta.url);
/** protobufjs ships google/protobuf/*.proto (descriptor.proto is needed for custom options). */
const GOOGLE_PROTO_ROOT = dirname(require.resolve('protobufjs/package.json'));

/**
 * The options every gRPC peer of the fleet loads protos with, so generated types match runtime values: field names
 * as written (snake_case), int64 as decimal strings (money never passes through a JS number), enums as their names,
 * scalar defaults filled in, unset messages as null.
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT, GOOGLE_PROTO_ROOT],
};

/** The gRPC package definition of the given proto files (default: all of them). */
export function loadPackageDefinition(
  files: string[] = listProtoFiles(),
  extraRoots: string[] = [],
): protoLoader.PackageDefinition {
  const definition = protoLoader.loadSync(files, {
    ...PROTO_LOADER_OPTIONS,
    includeDirs: [...extraRoots, ...(PROTO_LOADER_OPTIONS.includeDirs ?? [])],
  });
  sources.set(definition, { files: [...files], roots: [PROTO_ROOT, ...extraRoots] });
  return definition;
}

/** The proto files and include roots each package definition was loaded from. */
const sources = new WeakMap<protoLoader.PackageDefinition, { files: string[]; roots: string[] }>();

/**
 * The reflection root (comments and custom options kept) of the very protos a package definition was loaded from by
 * loadPackageDefinition, so a gRPC server enforces the contract of exactly what it serves. Undefined for a definition
 * loaded another way.
 */
export function reflectionRootOf(definition: protoLoader.PackageDefinition): protobuf.Root | undefined {
  const source = sources.get(definition);
  return source ? loadReflectionRoot(source.files, source.roots) : undefined;
}

/**
 * A protobufjs reflection root of the given proto files with comments and custom options kept: what the gateway
 * reads to build its catalog and the generator reads to write types.
 */
export function loadReflectionRoot(files: string[] = listProtoFiles(), roots: string[] = [PROTO_ROOT]): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (target.startsWith('google/protobuf/')) return join(GOOGLE_PROTO_ROOT, target);
    for (const base of roots) {
      const candidate = join(base, target);
      if (existsSync(candidate)) return candidate;
    }
    return join(roots[0] ?? PROTO_ROOT, target);
  };
  root.loadSync(files, { keepCase: true, alternateCommentMode: true });
  root.resolveAll();
  return root;
}
