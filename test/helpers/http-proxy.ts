// A small HTTP proxy in front of a test API, standing in for the proxies between a CLI and the
// service: it records what passes, and can refuse some paths or cut a response short, the way
// real proxies treat long-lived streams.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxiedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface ProxyOptions {
  /** Answer 502 for these requests instead of forwarding them. */
  refuse?: (req: ProxiedRequest) => boolean;
  /** Close the connection once this many bytes of the response have gone through. */
  cutAfterBytes?: (req: ProxiedRequest) => number | undefined;
}

export interface TestProxy {
  url: string;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

export async function startProxy(target: string, options: ProxyOptions = {}): Promise<TestProxy> {
  const requests: ProxiedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const seen: ProxiedRequest = { method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers };
    requests.push(seen);
    if (options.refuse?.(seen)) {
      res.writeHead(502, { "content-type": "text/plain" }).end("bad gateway");
      return;
    }
    const limit = options.cutAfterBytes?.(seen);
    const upstream = httpRequest(new URL(seen.url, target), { method: seen.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      let sent = 0;
      answer.on("data", (chunk: Buffer) => {
        if (limit !== undefined && sent + chunk.length >= limit) {
          answer.destroy();
          // Cut, not ended: the client gets the bytes up to the limit, then sees the connection drop.
          res.write(chunk.subarray(0, limit - sent), () => res.destroy());
          sent = limit;
          return;
        }
        sent += chunk.length;
        res.write(chunk);
      });
      answer.on("end", () => res.end());
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
