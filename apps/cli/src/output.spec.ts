import { Output, stripAnsi, table, visibleLength, wantsColour, wrap } from './output';

const tty = { isTTY: true, write: () => undefined };
const pipe = { isTTY: false, write: () => undefined };

describe('colour', () => {
  it('only on a terminal, never with NO_COLOR, --no-color or TERM=dumb', () => {
    expect(wantsColour(tty, {}, false)).toBe(true);
    expect(wantsColour(pipe, {}, false)).toBe(false);
    expect(wantsColour(tty, { NO_COLOR: '1' }, false)).toBe(false);
    expect(wantsColour(tty, { NO_COLOR: '' }, false)).toBe(true); // no-color.org: only a non-empty value counts
    expect(wantsColour(tty, {}, true)).toBe(false);
    expect(wantsColour(tty, { TERM: 'dumb' }, false)).toBe(false);
  });

  it('never in JSON mode', () => {
    expect(new Output(tty, tty, true, {}).paint.red('x')).toBe('x');
    expect(new Output(tty, tty, false, {}).paint.red('x')).toBe('\u001b[31mx\u001b[39m');
  });

  it('writes errors as JSON on stderr in JSON mode', () => {
    const err: string[] = [];
    new Output(pipe, { write: (s: string) => err.push(s) }, true, {}).error('boom', { status: 500 });
    expect(JSON.parse(err.join(''))).toEqual({ error: { message: 'boom', status: 500 } });
  });
});

describe('tables', () => {
  it('pad columns to the widest cell, ignoring colour codes', () => {
    const lines = table(['a', 'bb'], [['\u001b[31mred\u001b[39m', 'x'], ['y', 'z']]);
    expect(lines.map(stripAnsi)).toEqual(['a    bb', 'red  x', 'y    z']);
  });

  it('wrap long cells onto more lines', () => {
    const lines = table(['k', 'v', 'r'], [['1', 'one two three four', 'ok']], { maxWidths: { 1: 9 } });
    expect(lines).toEqual(['k  v        r', '1  one two  ok', '   three', '   four']);
  });

  it('wrap text at spaces and split words longer than the width', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(visibleLength('\u001b[1mab\u001b[22m')).toBe(2);
  });
});
