import fc from "fast-check";
import {
  dashedResourceName,
  glueName,
  keyVaultName,
  kmsAliasName,
  logGroupName,
  s3BucketName,
  secretPath,
  storageAccountName,
} from "./naming";

const S3 = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const STORAGE = /^[a-z0-9]{3,24}$/;
const KEY_VAULT = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
const GLUE = /^[a-z][a-z0-9_]{0,254}$/;

const environments = [
  "dev",
  "PROD",
  "Feature_Branch-42",
  "42nd-street",
  "a-very-long-environment-name-used-by-a-preview-branch-of-a-platform-team",
  "__--__",
  "x",
];

describe("s3BucketName", () => {
  it("lower-cases and dashes a normal name", () => {
    expect(s3BucketName(["brewery", "PROD", "raw", "123456789012"])).toBe("brewery-prod-raw-123456789012");
  });

  it("turns underscores and runs of punctuation into single dashes", () => {
    expect(s3BucketName(["brewery", "Feature__Branch", "raw"])).toBe("brewery-feature-branch-raw");
  });

  it("keeps leading digits, which S3 allows", () => {
    expect(s3BucketName(["42nd", "raw"])).toBe("42nd-raw");
  });

  it("shortens long names to 63 characters with a stable hash of the full name", () => {
    const long = s3BucketName(["brewery", environments[4], "silver", "123456789012"]);
    expect(long).toHaveLength(63);
    expect(long).toMatch(S3);
    expect(long).toBe(s3BucketName(["brewery", environments[4], "silver", "123456789012"]));
    expect(long).not.toBe(s3BucketName(["brewery", environments[4], "gold", "123456789012"]));
  });

  it("avoids reserved prefixes and suffixes", () => {
    expect(s3BucketName(["xn--abc"])).toBe("xn-abc");
    expect(s3BucketName(["sthree", "data"])).toBe("b-sthree-data");
    expect(s3BucketName(["data", "s3alias"])).toBe("data-s3alias-b");
  });

  it("pads names shorter than 3 characters", () => {
    expect(s3BucketName(["a"])).toMatch(S3);
    expect(s3BucketName(["__"])).toMatch(S3);
  });

  it("always obeys the S3 rules (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { minLength: 1, maxLength: 5 }), (parts) => {
        expect(s3BucketName(parts)).toMatch(S3);
      }),
    );
  });
});

describe("storageAccountName", () => {
  it.each(environments)("obeys 3-24 lower-case alphanumerics for environment %p", (env) => {
    expect(storageAccountName(["brewery", env, "lake"])).toMatch(STORAGE);
  });

  it("keeps short names readable", () => {
    expect(storageAccountName(["brewery", "Dev_1", "lake"])).toBe("brewerydev1lake");
  });

  it("distinguishes long names that share a prefix", () => {
    const a = storageAccountName(["brewery", "long-environment-number-one", "lake"]);
    const b = storageAccountName(["brewery", "long-environment-number-two", "lake"]);
    expect(a).toHaveLength(24);
    expect(a).not.toBe(b);
  });

  it("always obeys the storage account rules (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { minLength: 1, maxLength: 4 }), (parts) => {
        expect(storageAccountName(parts)).toMatch(STORAGE);
      }),
    );
  });
});

describe("keyVaultName", () => {
  it("prefixes names that would start with a digit", () => {
    expect(keyVaultName(["42nd", "kv"])).toBe("kv-42nd-kv");
  });

  it.each(environments)("obeys the Key Vault rules for environment %p", (env) => {
    const name = keyVaultName(["brewery", env]);
    expect(name).toMatch(KEY_VAULT);
    expect(name).not.toContain("--");
  });

  it("always obeys the Key Vault rules (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 30 }), { minLength: 1, maxLength: 4 }), (parts) => {
        const name = keyVaultName(parts);
        expect(name).toMatch(KEY_VAULT);
        expect(name).not.toContain("--");
      }),
    );
  });
});

describe("glueName", () => {
  it("uses underscores and lower case", () => {
    expect(glueName(["brewery", "Feature-Branch", "silver"])).toBe("brewery_feature_branch_silver");
  });

  it("prefixes names that would start with a digit", () => {
    expect(glueName(["42nd", "raw"])).toBe("m_42nd_raw");
  });

  it("always obeys the Glue/Athena rules (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 120 }), { minLength: 1, maxLength: 4 }), (parts) => {
        expect(glueName(parts)).toMatch(GLUE);
      }),
    );
  });
});

describe("secretPath and kmsAliasName", () => {
  it("builds a readable secret path", () => {
    expect(secretPath(["brewery", "dev", "brewery-api"])).toBe("brewery/dev/brewery-api");
  });

  it("never produces a reserved alias/aws/ name", () => {
    expect(kmsAliasName(["aws", "raw"])).toBe("alias/x-aws/raw");
    expect(kmsAliasName(["brewery", "Dev env", "raw"])).toBe("alias/brewery/Dev-env/raw");
  });
});

describe("dashedResourceName and logGroupName", () => {
  it("joins lower-case dashed parts", () => {
    expect(dashedResourceName(["Brewery", "dev", "bronze_to_silver"], 80)).toBe(
      "brewery-dev-bronze-to-silver",
    );
  });

  it("shortens long names to the limit, keeping a hash so they stay distinct", () => {
    const a = dashedResourceName(["brewery", "x".repeat(100), "a"], 64);
    const b = dashedResourceName(["brewery", "x".repeat(100), "b"], 64);
    expect(a).toHaveLength(64);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[a-z0-9-]+[a-z0-9]$/);
  });

  it("always obeys the letters-digits-dashes rule", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string(), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 10, max: 255 }),
        (parts, max) => {
          const name = dashedResourceName(parts, max);
          expect(name.length).toBeLessThanOrEqual(max);
          expect(name).toMatch(/^[a-z0-9-]+$/);
        },
      ),
    );
  });

  it("builds log group paths under a prefix", () => {
    expect(logGroupName("/aws/vendedlogs/states/", ["brewery", "dev", "transform"])).toBe(
      "/aws/vendedlogs/states/brewery-dev-transform",
    );
  });
});
