/**
 * Rules on request bodies that apply before any route sees them:
 *
 * - A request that carries a body must say it is JSON (`application/json` or
 *   `application/*+json`); any other type is a 415, on every route alike. A
 *   request without a body (no Content-Length, or 0) is read as `{}`.
 * - A JSON body nested deeper than the limit (arrays and objects) is a 400
 *   before validation and class-transformer walk it: both recurse.
 */
import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';

interface Req {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}
type Next = (err?: unknown) => void;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export function hasBody(req: Req): boolean {
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] !== undefined) return true;
  return typeof length === 'string' && length.trim() !== '' && length.trim() !== '0';
}

export function requireJsonBodies() {
  return (req: Req, _res: unknown, next: Next): void => {
    if (!hasBody(req)) return next();
    const type = req.headers['content-type'];
    if (typeof type === 'string' && JSON_TYPE.test(type)) return next();
    next(new UnsupportedMediaTypeException(`body: send JSON with "Content-Type: application/json" (got ${typeof type === 'string' ? `"${type.slice(0, 60)}"` : 'no Content-Type'})`));
  };
}

/** The nesting depth of a JSON value, walked without recursion; stops counting past `limit`. */
export function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const here = depth + 1;
    if (here > deepest) deepest = here;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) if (child !== null && typeof child === 'object') stack.push([child, here]);
  }
  return deepest;
}

export function limitBodyDepth(maxDepth: number) {
  return (req: Req, _res: unknown, next: Next): void => {
    if (req.body !== null && typeof req.body === 'object' && depthOf(req.body, maxDepth) > maxDepth) {
      return next(new BadRequestException({ message: 'validation failed', errors: [{ field: 'body', reason: `nested deeper than ${maxDepth} levels` }] }));
    }
    next();
  };
}
