/** Help texts, built from the verbs' own specs so they cannot drift from the parser. */
import { GLOBAL_OPTIONS, OptionSpec } from './args';
import type { Verb } from './commands/context';

const EXIT_CODES = [
  '  0  ok',
  '  1  failure: the API failed or could not be reached (503: try again after the time it gives; 504: the change may or may not',
  '     have been applied, check with `order status`); watch/demo: the order or a scenario did not end as expected',
  '  2  usage: bad arguments, or input the API refused as invalid (400)',
  '  3  not found: no such order (404)',
  '  4  conflict: the order id exists, or the order refused the change (409)',
  '130  interrupted (Ctrl-C)',
];

const ENVIRONMENT = [
  'ORDER_API_URL  API base URL when --api is not given (default http://localhost:8000)',
  'API_KEY        sent as "Authorization: Bearer <key>"; the API requires it unless it runs with AUTH_DISABLED=true',
  'NO_COLOR       any value turns colours off',
];

function optionLines(options: OptionSpec[]): string[] {
  const names = options.map((o) => `${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.value ? ` ${o.value}` : ''}`);
  const width = Math.max(...names.map((n) => n.length));
  return options.map((o, i) => `  ${(names[i] as string).padEnd(width)}  ${o.description}`);
}

function usageLine(verb: Verb): string {
  const positionals = verb.positionals.map((p) => `<${p}>`).join(' ');
  return `order ${verb.name}${positionals ? ` ${positionals}` : ''}${verb.options.length ? ' [options]' : ''}`;
}

export function mainHelp(verbs: Verb[]): string {
  const width = Math.max(...verbs.map((v) => v.name.length));
  return [
    'order: drive the order-fulfillment system through its REST API',
    '',
    'Usage: order <command> [arguments] [options]',
    '',
    'Commands:',
    ...verbs.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`),
    '',
    'Global options (anywhere on the line):',
    ...optionLines([...GLOBAL_OPTIONS, { name: 'version', type: 'boolean', description: 'print the version' }]),
    '',
    'Environment:',
    ...ENVIRONMENT.map((l) => `  ${l}`),
    '',
    'Exit codes:',
    ...EXIT_CODES.map((l) => `  ${l}`),
    '',
    'Examples:',
    '  order start-workflow order-123 pmt-123',
    '  order watch order-123',
    '  order status order-123 --json',
    '  order --api http://orders.internal:8000 list --state failed',
    '  order demo',
    '',
    'Run "order <command> --help" for its options and examples.',
  ].join('\n');
}

export function verbHelp(verb: Verb): string {
  return [
    `order ${verb.name}: ${verb.summary}`,
    '',
    `Usage: ${usageLine(verb)}`,
    ...(verb.details?.length ? ['', ...verb.details] : []),
    ...(verb.options.length ? ['', 'Options:', ...optionLines(verb.options)] : []),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Examples:',
    ...verb.examples.map((e) => `  ${e}`),
  ].join('\n');
}

export function usageHint(verb: Verb | undefined): string {
  return verb ? `usage: ${usageLine(verb)}\nrun "order ${verb.name} --help" for more` : 'run "order --help" for the commands';
}
