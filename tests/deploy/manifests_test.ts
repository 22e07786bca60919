import { assert, assertEquals } from "@std/assert";
import { loadAll } from "js-yaml";

// deno-lint-ignore no-explicit-any
type Doc = any;

const root = new URL("../../deploy/", import.meta.url);
const jobs = loadAll(await Deno.readTextFile(new URL("k8s/walk-job.yaml", root))) as Doc[];

/** The schema essentials of a batch/v1 Job with one container and the shared volume. */
function checkJob(job: Doc): Doc {
  assertEquals([job.apiVersion, job.kind], ["batch/v1", "Job"]);
  assert(typeof job.metadata?.name === "string");
  const pod = job.spec.template.spec;
  assertEquals(pod.restartPolicy, "Never");
  assertEquals(pod.containers.length, 1);
  const container = pod.containers[0];
  assert(typeof container.image === "string");
  assertEquals(container.command.slice(0, 2), ["deno", "task"]);
  const claim = pod.volumes.find((v: Doc) => v.name === container.volumeMounts[0].name);
  assertEquals(claim.persistentVolumeClaim.claimName, "cppn-data");
  return container;
}

Deno.test("walk-job.yaml: an Indexed Job of N shards and a merge Job with the same flags", () => {
  assertEquals(jobs.length, 2);
  const [shards, merge] = jobs;
  const shard = checkJob(shards);
  assertEquals(shards.spec.completionMode, "Indexed");
  const n = shards.spec.completions;
  assert(Number.isInteger(n) && n >= 1 && shards.spec.parallelism <= n);
  assertEquals(shard.command, ["deno", "task", "walk"]);
  assertEquals(shard.args.slice(-2), ["--shard", `auto/${n}`]);
  const finish = checkJob(merge);
  assertEquals(merge.spec.completionMode, undefined);
  assertEquals(merge.spec.completions, 1);
  assertEquals(finish.command, ["deno", "task", "merge"]);
  assertEquals(finish.args, shard.args.slice(0, -2));
  assertEquals([shards, merge].map((j) => j.metadata.labels["cppn-part"]), ["shards", "merge"]);
});

Deno.test("deploy: the Slurm script shards by array index and the Dockerfile runs deno task", async () => {
  const slurm = await Deno.readTextFile(new URL("slurm-walk.sh", root));
  const tasks = /#SBATCH --array=0-(\d+)/.exec(slurm);
  assert(tasks);
  assert(slurm.includes(`--shard auto/${Number(tasks[1]) + 1}`));
  const docker = await Deno.readTextFile(new URL("Dockerfile", root));
  assert(/^FROM denoland\/deno:2/m.test(docker));
  assert(docker.includes('ENTRYPOINT ["deno", "task"]'));
});
