// The BullMQ training queue in a board (bull-board) at /admin/queues, for the admin key only:
// `Authorization: Bearer <ADMIN_API_KEY>`, or HTTP Basic with any user name and the key as password
// (so that a browser opens it: a 401 asks for Basic credentials). Without ADMIN_API_KEY the board is
// off (404). It is read-only: the database is the source of truth for jobs, so changes go through the
// API (cancel), never straight to the queue.
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { FastifyAdapter } from "@bull-board/fastify";
import type { FastifyPluginAsync } from "fastify";
import type { RouteOptions } from "../context.js";
import { ApiError } from "../errors.js";
import { bearerToken, sameSecret } from "../auth/bearer.js";
import { basicPassword } from "./credentials.js";

export const QUEUE_BOARD_PATH = "/admin/queues";

export const queueBoard: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const adminKey = ctx.config.adminApiKey;
  if (!adminKey) {
    const off = async () => {
      throw new ApiError(404, "not_found", `the queue board is off: set ADMIN_API_KEY to open ${QUEUE_BOARD_PATH}`);
    };
    app.get(QUEUE_BOARD_PATH, { schema: { hide: true } }, off);
    app.get(`${QUEUE_BOARD_PATH}/*`, { schema: { hide: true } }, off);
    return;
  }

  app.addHook("onRequest", async (request, reply) => {
    const header = request.headers.authorization;
    if (sameSecret(bearerToken(request), adminKey) || sameSecret(basicPassword(header), adminKey)) return;
    // Answered here rather than thrown: bull-board's routes have an error handler of their own.
    return reply
      .code(401)
      .header("www-authenticate", 'Basic realm="trainyard admin", charset="UTF-8"')
      .send({ error: { code: "unauthorized", message: `${QUEUE_BOARD_PATH} needs the admin key (Authorization: Bearer <ADMIN_API_KEY>, or Basic with it as password)` } });
  });

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: [new BullMQAdapter(ctx.queue.queue, { readOnlyMode: true, allowRetries: false, description: "training jobs (ids are Trainyard job ids)" })],
    serverAdapter,
    options: { uiConfig: { boardTitle: "Trainyard queues" } },
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
};
