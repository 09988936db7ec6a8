/**
 * Just enough of a Dockerfile parser to hold the tests to what the images do:
 * the final stage's WORKDIR, ENV and exec-form CMD, and what it copies from
 * the build stage.
 */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string | null;
  from: string;
  instructions: Instruction[];
}

/** The global ARGs (before the first FROM) with their defaults, which FROM lines may use. */
export function globalArgs(text: string): Record<string, string> {
  const args: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (/^\s*FROM\s/i.test(line)) break;
    const arg = /^\s*ARG\s+(\w+)(?:=(\S*))?\s*$/i.exec(line);
    if (arg) args[arg[1]] = arg[2] ?? '';
  }
  return args;
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const args = globalArgs(text);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = lines[i].trim();
      line = `${line.slice(0, -1).trimEnd()} ${next.startsWith('#') ? '' : next}`.trimEnd();
    }
    const match = /^(\w+)\s+(.*)$/s.exec(line);
    if (!match) throw new Error(`line ${start + 1}: cannot parse "${line}"`);
    const instruction = { keyword: match[1].toUpperCase(), args: match[2].trim(), line: start + 1 };
    if (instruction.keyword === 'ARG' && !stages.length) continue;
    if (instruction.keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!from) throw new Error(`line ${start + 1}: cannot parse FROM ${instruction.args}`);
      const image = from[1].replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string, b: string) => {
        const name = a ?? b;
        if (!(name in args)) throw new Error(`line ${start + 1}: FROM uses ${name}, which no ARG before it declares`);
        return args[name];
      });
      stages.push({ from: image, name: from[2] ?? null, instructions: [] });
    } else {
      if (!stages.length) throw new Error(`line ${start + 1}: ${instruction.keyword} before FROM`);
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

export interface RuntimeSpec {
  /** Final stage's base image (after following stage aliases). */
  baseImage: string;
  workdir: string;
  env: Record<string, string>;
  cmd: string[];
  user: string | null;
  /** Sources of `COPY --from=<stage>` in the final stage, relative to the workdir of that stage. */
  copiedFromStages: Array<{ stage: string; source: string; target: string }>;
}

/** What a container of this image starts with: WORKDIR, ENV and CMD, inherited through stage aliases. */
export function runtimeOf(stages: Stage[]): RuntimeSpec {
  const final = stages[stages.length - 1];
  if (!final) throw new Error('no stage');
  const chain: Stage[] = [];
  for (let stage: Stage | undefined = final; stage; stage = stages.find((s) => s.name === stage?.from)) chain.unshift(stage);
  const spec: RuntimeSpec = { baseImage: chain[0].from, workdir: '/', env: {}, cmd: [], user: null, copiedFromStages: [] };
  for (const stage of chain) {
    for (const { keyword, args, line } of stage.instructions) {
      if (keyword === 'WORKDIR') spec.workdir = args.startsWith('/') ? args : `${spec.workdir.replace(/\/$/, '')}/${args}`;
      if (keyword === 'ENV') Object.assign(spec.env, parseEnv(args, line));
      if (keyword === 'USER') spec.user = args;
      if (keyword === 'CMD') {
        try {
          spec.cmd = JSON.parse(args) as string[];
        } catch {
          throw new Error(`line ${line}: CMD must be in exec form (a JSON array), so the app is PID 1 and gets SIGTERM`);
        }
      }
      if (keyword === 'COPY' && stage === final) {
        const from = /--from=(\S+)/.exec(args);
        const paths = args.split(/\s+/).filter((a) => !a.startsWith('--'));
        if (from && paths.length === 2) spec.copiedFromStages.push({ stage: from[1], source: paths[0], target: paths[1] });
      }
    }
  }
  return spec;
}

function parseEnv(args: string, line: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of args.split(/\s+/)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`line ${line}: use ENV KEY=value`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1).replace(/^"(.*)"$/, '$1');
  }
  return env;
}
