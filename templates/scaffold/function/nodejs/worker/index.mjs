// An AWS Lambda handler for Node.js 22 (ES module), for a function that drains an SQS queue.
//
// Scaffolded once by cloudwright, then yours: cloudwright never overwrites this file, so change
// it as you like. It reads no environment variables.
//
// Lambda hands it a batch of records (the event source mapping reports partial failures). Each
// record goes through processRecord(); a record it cannot process is named in the response's
// batchItemFailures, so that it returns to the queue and, after the queue's receive limit, moves
// to the dead-letter queue. Every other record of the batch is deleted. From a FIFO queue, the
// records after the first failure are reported too, so that a message group keeps its order.
//
// processRecord() accepts a body that is a JSON object and logs it; replace it with the real work, and
// throw to fail a record. Each record logs one JSON line to stdout (CloudWatch Logs).

export const handler = async (event) => {
  const records = Array.isArray(event?.Records) ? event.Records : [];
  const batchItemFailures = [];
  let failedFifo = false;
  for (const record of records) {
    const fifo = String(record?.eventSourceARN ?? "").endsWith(".fifo");
    if (failedFifo) {
      batchItemFailures.push({ itemIdentifier: record?.messageId });
      log(record, "skipped", "an earlier record of this FIFO batch failed");
      continue;
    }
    try {
      await processRecord(record);
      log(record, "processed", null);
    } catch (error) {
      batchItemFailures.push({ itemIdentifier: record?.messageId });
      failedFifo = fifo;
      log(record, "failed", `${error?.name ?? "Error"}: ${error?.message ?? error}`);
    }
  }
  return { batchItemFailures };
};

/** The work for one record: here, read its body as a JSON object. */
async function processRecord(record) {
  const body = JSON.parse(record?.body ?? "");
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new TypeError("the body is not a JSON object");
  }
  return body;
}

/** One JSON line on stdout, which Lambda sends to CloudWatch Logs as it is. */
function log(record, outcome, error) {
  const attributes = record?.attributes ?? {};
  const entry = {
    level: outcome === "failed" ? "error" : "info",
    message: outcome,
    messageId: record?.messageId ?? null,
    receiveCount: attributes.ApproximateReceiveCount ?? null,
    messageGroupId: attributes.MessageGroupId ?? null,
    error,
  };
  process.stdout.write(`${JSON.stringify(entry)}\n`);
}
