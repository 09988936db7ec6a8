/**
 * The `order` binary's contract with its caller that needs no order: help for
 * every verb, usage errors (exit 2), an unreachable API and API failures
 * (exit 1), the API key, and no stack trace ever.
 */
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@order-fulfillment/stack';
import { ANSI, STACK_TRACE, order } from './support/cli';

const VERBS = ['start-workflow', 'status', 'cancel', 'update-address', 'approve', 'describe', 'events', 'list', 'watch', 'demo'];

describe('order: help', () => {
  it('lists every verb, the exit codes and the environment', async () => {
    const r = await order(['--help']);
    expect(r.code).toBe(0);
    for (const verb of VERBS) expect(r.stdout).toContain(`  ${verb} `);
    expect(r.stdout).toMatch(/Exit codes:[\s\S]*3 {2}not found[\s\S]*4 {2}conflict/);
    expect(r.stdout).toContain('ORDER_API_URL');
    expect(r.stdout).toContain('API_KEY');
    expect(r.stderr).toBe('');
  });

  it.each(VERBS)('%s --help shows its usage and examples', async (verb) => {
    const r = await order([verb, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: order ${verb}`);
    expect(r.stdout).toMatch(new RegExp(`Examples:\\n {2}order ${verb}`));
  });

  it('prints its version', async () => {
    const r = await order(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('runs through the npm bin link, as `npx order` does', async () => {
    const r = await order(['--version'], { viaBin: true });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('order: usage errors exit 2', () => {
  it.each([
    [[], 'no command given'],
    [['stauts', 'x'], 'unknown command "stauts"; did you mean "status"?'],
    [['status'], 'missing <orderId>'],
    [['start-workflow', 'o1'], 'missing <paymentId>'],
    [['status', 'a', 'b'], 'unexpected argument "b"'],
    [['status', 'x', '--bogus'], "unknown option '--bogus'"],
    [['start-workflow', 'o1', 'p1', '--item', 'ABC:zero'], '--item "ABC:zero"'],
    [['start-workflow', 'o1', 'p1', '--street', '1 Main St'], 'an address needs --city'],
    [['start-workflow', 'o1', 'p1', '--faults', 'nope'], '--faults must be a JSON object'],
    [['update-address', 'o1', '--street', '1 Main St'], 'an address needs --city'],
    [['list', '--state', 'lost'], '--state must be one of received, validated'],
    [['list', '--limit', '0'], '--limit must be an integer from 1 to 100'],
    [['watch', 'o1', '--interval', 'fast'], '--interval must be an integer'],
    [['--api', 'not a url', 'status', 'x'], '--api / ORDER_API_URL must be an http(s) URL'],
  ])('order %j', async (args, message) => {
    const r = await order(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.stderr).not.toMatch(ANSI);
  });

  it('explains a usage error as JSON with --json', async () => {
    const r = await order(['status', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr)).toEqual({ error: { message: 'missing <orderId>', exitCode: 2 } });
  });

  it('exits 2 with the field and reason when the API refuses the input (400)', async () => {
    const r = await order(['start-workflow', 'has space', 'pmt-1', '--item', 'ABC:1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('validation failed');
    expect(r.stderr).toMatch(/orderId: must be 1-64 characters/);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it('gives the 400 field errors as JSON with --json', async () => {
    const r = await order(['start-workflow', 'ok-id', 'bad id', '--json']);
    expect(r.code).toBe(2);
    const { error } = JSON.parse(r.stderr);
    expect(error).toMatchObject({ status: 400, exitCode: 2, errors: [expect.objectContaining({ field: 'paymentId' })] });
  });
});

describe('order: when the API cannot be reached or fails', () => {
  it('exits 1 with a message naming the URL when nothing listens there', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await order(['status', 'order-1'], { env: { ORDER_API_URL: url } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach the order API at ${url}: connection refused`);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it('prefers --api over ORDER_API_URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await order(['--api', url, 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(url);
  });

  describe('against a stand-in API', () => {
    let server: Server;
    let url: string;
    const seen: IncomingHttpHeaders[] = [];
    let reply: { status: number; body: string } = { status: 200, body: '{}' };

    beforeAll(async () => {
      server = createServer((req, res) => {
        seen.push(req.headers);
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(reply.body);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('sends API_KEY as a bearer token', async () => {
      reply = { status: 404, body: JSON.stringify({ statusCode: 404, message: 'order x not found' }) };
      const r = await order(['status', 'x'], { env: { ORDER_API_URL: url, API_KEY: 's3cret' } });
      expect(r.code).toBe(3);
      expect(seen.at(-1)?.['authorization']).toBe('Bearer s3cret');
    });

    it('sends no authorization header without API_KEY', async () => {
      reply = { status: 404, body: JSON.stringify({ statusCode: 404, message: 'order x not found' }) };
      await order(['status', 'x'], { env: { ORDER_API_URL: url } });
      expect(seen.at(-1)?.['authorization']).toBeUndefined();
    });

    it('exits 1 on a 401 and says the API needs a key', async () => {
      reply = { status: 401, body: JSON.stringify({ statusCode: 401, message: 'missing or invalid API key' }) };
      const r = await order(['list'], { env: { ORDER_API_URL: url } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('missing or invalid API key (the API needs a key: set API_KEY)');
    });

    it("exits 1 on a 5xx with the API's message", async () => {
      reply = { status: 503, body: JSON.stringify({ statusCode: 503, message: 'order o-1: the workflow could not be queried' }) };
      const r = await order(['status', 'o-1'], { env: { ORDER_API_URL: url } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('order o-1: the workflow could not be queried');
      expect(r.stderr).not.toMatch(STACK_TRACE);
    });

    it('exits 1 on an answer that is not JSON, quoting it', async () => {
      reply = { status: 502, body: 'Bad Gateway' };
      const r = await order(['status', 'o-1'], { env: { ORDER_API_URL: url } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Bad Gateway');
    });
  });
});
