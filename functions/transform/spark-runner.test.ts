import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

/** The Spark runner is the project's only Python: CI compiles it and runs its unittest suite with a fake session. */
describe("spark_runner.py", () => {
  const env = { ...process.env, PYTHONDONTWRITEBYTECODE: "1" };

  it("compiles with python3", () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), "runner-")), "spark_runner.pyc");
    const script = `import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)`;
    expect(() =>
      execFileSync("python3", ["-c", script, path.join(__dirname, "spark_runner.py"), out], {
        env,
        stdio: "pipe",
      }),
    ).not.toThrow();
  });

  it("passes its unittest suite (python3 -m unittest)", () => {
    const run = spawnSync("python3", ["-m", "unittest", "-v", "test_spark_runner"], {
      cwd: __dirname,
      env,
      encoding: "utf8",
    });
    expect(run.stderr).toMatch(/Ran 15 tests .*\n\nOK/s);
    expect(run.status).toBe(0);
  });
});
