import { relative, sep } from 'node:path';
import protobuf from 'protobufjs';
import { loadReflectionRoot } from './load';
import { PROTO_ROOT, listProtoFiles } from './proto-files';

const HEADER =
  '// Generated from proto/ by packages/contracts/scripts/generate.ts. Do not edit; run `pnpm generate`.\n';

const SCALARS: Record<string, string> = {
  double: 'number',
  float: 'number',
  int32: 'number',
  uint32: 'number',
  sint32: 'number',
  fixed32: 'number',
  sfixed32: 'number',
  // int64 arrives as a decimal string (proto-loader `longs: String`): money never passes through a JS number.
  int64: 'string',
  uint64: 'string',
  sint64: 'string',
  fixed64: 'string',
  sfixed64: 'string',
  bool: 'boolean',
  string: 'string',
  bytes: 'Buffer',
};

/** The TypeScript name of a message or enum: its path below the proto package, joined with underscores. */
function typeName(type: protobuf.ReflectionObject): string {
  const parts: string[] = [];
  let node: protobuf.ReflectionObject | null = type;
  while (node && !(node instanceof protobuf.Namespace && !(node instanceof protobuf.Type))) {
    parts.unshift(node.name);
    node = node.parent;
  }
  return parts.join('_');
}

function packageOf(obj: protobuf.ReflectionObject): string {
  let node = obj.parent;
  while (node && node instanceof protobuf.Type) node = node.parent;
  return node?.fullName.replace(/^\./, '') ?? '';
}

function moduleFile(pkg: string): string {
  return pkg.split('.').join('/');
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function docComment(text: string | null | undefined, indent: string): string {
  if (!text) return '';
  const lines = text.trim().split('\n');
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l.replace(/\*\//g, '* /')}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

interface Module {
  pkg: string;
  imports: Map<string, Set<string>>;
  body: string[];
}

function referenceType(mod: Module, target: protobuf.Type | protobuf.Enum): string {
  const targetPkg = packageOf(target);
  const name = typeName(target);
  if (targetPkg === mod.pkg) return name;
  const alias = `${targetPkg.replace(/\./g, '_')}_${name}`;
  const names = mod.imports.get(targetPkg) ?? new Set<string>();
  names.add(`${name} as ${alias}`);
  mod.imports.set(targetPkg, names);
  return alias;
}

function fieldType(mod: Module, field: protobuf.Field): string {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum || resolved instanceof protobuf.Type) return referenceType(mod, resolved);
  const scalar = SCALARS[field.type];
  if (!scalar) throw new Error(`unsupported field type ${field.type} of ${field.fullName}`);
  return scalar;
}

function emitMessage(mod: Module, type: protobuf.Type): void {
  const lines: string[] = [];
  lines.push(`${docComment(type.comment, '')}export interface ${typeName(type)} {`);
  for (const field of type.fieldsArray) {
    let ts: string;
    let optional = false;
    if (field instanceof protobuf.MapField) {
      const valueType = field.resolvedType
        ? referenceType(mod, field.resolvedType as protobuf.Type | protobuf.Enum)
        : (SCALARS[field.type] ?? 'unknown');
      ts = `Record<string, ${valueType}>`;
    } else if (field.repeated) {
      ts = `${fieldType(mod, field)}[]`;
    } else if (field.resolvedType instanceof protobuf.Type) {
      // proto-loader `defaults: true` sets an unset message field to null.
      ts = `${fieldType(mod, field)} | null`;
      optional = true;
    } else if (field.partOf) {
      // proto3 `optional` and oneof members are absent when unset.
      ts = fieldType(mod, field);
      optional = true;
    } else {
      ts = fieldType(mod, field);
    }
    lines.push(`${docComment(field.comment, '  ')}  ${field.name}${optional ? '?' : ''}: ${ts};`);
  }
  lines.push('}\n');
  mod.body.push(lines.join('\n'));
  for (const nested of type.nestedArray) emitNested(mod, nested);
}

function emitEnum(mod: Module, en: protobuf.Enum): void {
  const values = Object.keys(en.values).map((v) => `'${v}'`);
  mod.body.push(`${docComment(en.comment, '')}export type ${typeName(en)} = ${values.join(' | ')};\n`);
}

function emitNested(mod: Module, obj: protobuf.ReflectionObject): void {
  if (obj instanceof protobuf.Type) emitMessage(mod, obj);
  else if (obj instanceof protobuf.Enum) emitEnum(mod, obj);
}

function emitService(mod: Module, service: protobuf.Service): void {
  const name = service.name;
  const methods = service.methodsArray.map((m) => {
    m.resolve();
    return {
      name: m.name,
      camel: lowerFirst(m.name),
      request: referenceType(mod, m.resolvedRequestType as protobuf.Type),
      response: referenceType(mod, m.resolvedResponseType as protobuf.Type),
      comment: m.comment,
    };
  });
  const handlerLines = methods.map(
    (m) =>
      `${docComment(m.comment, '  ')}  ${m.camel}(request: ${m.request}, context: Context): Promise<${m.response}>;`,
  );
  const clientLines = methods.map(
    (m) =>
      `${docComment(m.comment, '  ')}  ${m.camel}(request: Input<${m.request}>, options?: CallOptions): Promise<${m.response}>;`,
  );
  const defLines = methods.map(
    (m) => `    ${m.camel}: { name: '${m.name}', path: '/${service.fullName.replace(/^\./, '')}/${m.name}' },`,
  );
  mod.body.push(
    [
      `${docComment(service.comment, '')}export interface ${name}Handlers<Context> {`,
      ...handlerLines,
      '}\n',
      `export interface ${name}Client<CallOptions = unknown> {`,
      ...clientLines,
      '}\n',
      `export const ${name}Definition = {`,
      `  serviceName: '${service.fullName.replace(/^\./, '')}',`,
      `  protoFile: '${service.filename ? relative(PROTO_ROOT, service.filename).split(sep).join('/') : ''}',`,
      '  methods: {',
      ...defLines,
      '  },',
      '} as const;\n',
    ].join('\n'),
  );
}

/** Generates one TypeScript module per proto package: `{ 'fintech/auth/v1.ts': source, ... }`, deterministically. */
export function generateContracts(files: string[] = listProtoFiles()): Record<string, string> {
  const root = loadReflectionRoot(files);
  const modules = new Map<string, Module>();
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const obj of ns.nestedArray) {
      if (obj instanceof protobuf.Type || obj instanceof protobuf.Enum || obj instanceof protobuf.Service) {
        const pkg = packageOf(obj);
        if (!pkg.startsWith('fintech.')) continue;
        let mod = modules.get(pkg);
        if (!mod) {
          mod = { pkg, imports: new Map(), body: [] };
          modules.set(pkg, mod);
        }
        if (obj instanceof protobuf.Service) emitService(mod, obj);
        else emitNested(mod, obj);
      } else if (obj instanceof protobuf.Namespace) {
        visit(obj);
      }
    }
  };
  visit(root);

  const out: Record<string, string> = {};
  for (const mod of [...modules.values()].sort((a, b) => a.pkg.localeCompare(b.pkg))) {
    const file = `${moduleFile(mod.pkg)}.ts`;
    const depth = mod.pkg.split('.').length - 1;
    const up = '../'.repeat(depth);
    const head: string[] = [HEADER];
    if (mod.body.some((b) => b.includes('Input<'))) head.push(`import type { Input } from '${up}../input';`);
    for (const [pkg, names] of [...mod.imports.entries()].sort()) {
      head.push(`import type { ${[...names].sort().join(', ')} } from '${up}${moduleFile(pkg)}';`);
    }
    out[file] = `${head.join('\n')}\n\n${mod.body.join('\n')}`.replace(/\n{3,}/g, '\n\n');
  }
  return out;
}
