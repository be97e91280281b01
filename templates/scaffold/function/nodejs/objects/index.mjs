// An AWS Lambda handler for Node.js 22 (ES module), for a function that S3 invokes for new
// objects of a lake zone.
//
// Scaffolded once by cloudwright, then yours: cloudwright never overwrites this file, so change
// it as you like. It reads INPUT_PREFIX (the prefix of the objects that invoke it) and, when the
// function writes one zone, OUTPUT_BUCKET.
//
// For each new object it reads the object and logs one JSON line with its bucket, key, size and
// number of lines; it writes nothing. Lambda's Node.js runtime has no Parquet writer: the Python
// scaffold (`runtime: python`) converts CSV to Parquet itself. A failure fails the invocation,
// which S3 retries twice.

import { S3Client, GetObjectCommand } from "@aws-sdk/client-s3";

const s3 = new S3Client({});

export const handler = async (event) => {
  const seen = [];
  for (const record of event?.Records ?? []) {
    const bucket = record.s3.bucket.name;
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, " "));
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = await object.Body.transformToString();
    const lines = text === "" ? 0 : text.split("\n").filter((line) => line !== "").length;
    console.log(JSON.stringify({ level: "info", bucket, key, bytes: Buffer.byteLength(text), lines }));
    seen.push(key);
  }
  return { seen };
};
