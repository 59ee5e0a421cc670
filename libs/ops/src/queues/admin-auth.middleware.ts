import { bearerToken, type AdminAttemptsLimiter, type ApiKeyStore } from '@app/auth';
import { ProblemCode, ProblemException, renderError, sendProblem, writeRaw } from '@app/common';
import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

const BASIC = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i;

/**
 * Both schemes, one per `WWW-Authenticate` line: a browser shows its login dialog for Basic, API
 * clients send Bearer. Chromium reads only the first challenge of a line (RFC 9110 allows several,
 * comma-separated): with `Bearer …, Basic …` on one line it saw Bearer only, which it cannot
 * answer, and the page stayed 401 although the credentials were there.
 */
export const ADMIN_CHALLENGES = [
  'Basic realm="operators", charset="UTF-8"',
  'Bearer realm="operators"',
];

/** The key in `Authorization: Bearer <key>`, or the password of `Authorization: Basic …`. */
export function presentedAdminKey(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bearer = bearerToken(header);
  if (bearer) return bearer;
  const basic = BASIC.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : undefined;
}

/**
 * Express middleware in front of an operator-only router: 404 while ADMIN_API_KEY is not configured
 * (the feature does not exist), 429 while the client address has presented too many wrong keys,
 * 401 without the operator key, else on to the router. Tenant API keys are not operator keys.
 */
export function adminOnly(keys: ApiKeyStore, enabled: boolean, attempts: AdminAttemptsLimiter) {
  const logger = new Logger('Operators');
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!enabled) {
      const where = `${req.method} ${req.originalUrl}`;
      sendProblem(
        new ProblemException(404, ProblemCode.NotFound, `Cannot ${where}`),
        req,
        res,
        logger,
      );
      return;
    }
    const address = clientAddress(req);
    const refusal = attempts.refusal(address);
    if (refusal) {
      sendProblem(refusal, req, res, logger);
      return;
    }
    const header = req.headers.authorization;
    const key = presentedAdminKey(header);
    if (key !== undefined && keys.isAdmin(key)) {
      next();
      return;
    }
    // A request without credentials is a browser before its login dialog, not a guess.
    if (header) attempts.recordFailure(address, `${req.method} ${req.path}`);
    const detail = header
      ? 'The operator key is not valid'
      : 'Send the operator key: "Authorization: Bearer <ADMIN_API_KEY>", or HTTP Basic with it as the password';
    const rendered = renderError(new ProblemException(401, ProblemCode.Unauthorized, detail), req);
    // A problem's headers are single lines; the challenges go on lines of their own instead.
    delete rendered.headers['www-authenticate'];
    res.setHeader('WWW-Authenticate', ADMIN_CHALLENGES);
    writeRaw(res, rendered.status, rendered.headers, rendered.body);
  };
}

/**
 * The client address the wrong-key budget is kept for: Express's `req.ip`, the peer address unless
 * TRUST_PROXY names the peer as a proxy, then the address that proxy put in X-Forwarded-For.
 * Behind a load balancer every operator would otherwise share the balancer's budget, and a client
 * cannot pick another's budget with a header of its own, because only a trusted proxy's counts.
 */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
