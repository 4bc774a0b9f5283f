/**
 * The subset of RFC 6570 the fleet's resource templates use: simple string expansion `{name}` in the path (level
 * 1) and form-style query expansion `{?a,b}` (level 3). Matching is the inverse: a concrete URI → its variables.
 */
export interface CompiledTemplate {
  template: string;
  pathVariables: string[];
  queryVariables: string[];
  match(uri: string): Record<string, string> | null;
}

const QUERY_EXPRESSION = /\{\?([a-z0-9_,]+)\}$/i;
const PATH_VARIABLE = /\{([a-z0-9_]+)\}/gi;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compileUriTemplate(template: string): CompiledTemplate {
  const queryMatch = QUERY_EXPRESSION.exec(template);
  const queryVariables = queryMatch?.[1]?.split(',') ?? [];
  const pathTemplate = queryMatch ? template.slice(0, queryMatch.index) : template;
  const pathVariables: string[] = [];
  let pattern = '';
  let last = 0;
  for (const m of pathTemplate.matchAll(PATH_VARIABLE)) {
    pattern += escapeRegExp(pathTemplate.slice(last, m.index));
    pattern += '([^/?#]+)';
    pathVariables.push(m[1]!);
    last = m.index + m[0].length;
  }
  pattern += escapeRegExp(pathTemplate.slice(last));
  const regex = new RegExp(`^${pattern}(?:\\?(.*))?$`);

  return {
    template,
    pathVariables,
    queryVariables,
    match(uri) {
      const m = regex.exec(uri);
      if (!m) return null;
      const variables: Record<string, string> = {};
      try {
        pathVariables.forEach((name, i) => {
          variables[name] = decodeURIComponent(m[i + 1]!);
        });
      } catch {
        return null;
      }
      const query = m[pathVariables.length + 1];
      if (query !== undefined && query !== '') {
        if (queryVariables.length === 0) return null;
        for (const [key, value] of new URLSearchParams(query)) {
          // A query parameter the template does not declare means this is not the resource asked for.
          if (!queryVariables.includes(key)) return null;
          variables[key] = value;
        }
      }
      return variables;
    },
  };
}
