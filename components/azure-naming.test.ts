import fc from "fast-check";
import { azureResourceName, keyVaultSecretName, unityCatalogName } from "./naming";

const ARM = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;

describe("azureResourceName", () => {
  it("lower-cases and dashes the parts", () => {
    expect(azureResourceName(["Brewery", "Feature_Branch", "dbw"])).toBe("brewery-feature-branch-dbw");
  });

  it("shortens to the limit with a stable hash, never ending with a dash", () => {
    const long = azureResourceName(
      ["brewery", "a-very-long-environment-name-for-a-preview-branch", "databricks-managed"],
      40,
    );
    expect(long).toHaveLength(40);
    expect(long).toMatch(ARM);
    expect(long).not.toBe(
      azureResourceName(["brewery", "a-very-long-environment-name-for-a-preview-branch", "uc-connector"], 40),
    );
  });

  it("pads names that would be too short", () => {
    expect(azureResourceName(["_", "-"]).length).toBeGreaterThanOrEqual(3);
  });

  it("always obeys the ARM name rules", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 40 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 16, max: 90 }),
        (parts, max) => {
          const name = azureResourceName(parts, max);
          expect(name.length).toBeLessThanOrEqual(max);
          expect(name).toMatch(/^[a-z0-9-]+$/);
          expect(name.endsWith("-")).toBe(false);
        },
      ),
    );
  });
});

describe("unityCatalogName", () => {
  it("joins with underscores and starts with a letter", () => {
    expect(unityCatalogName(["brewery", "Feature-Branch"])).toBe("brewery_feature_branch");
    expect(unityCatalogName(["42", "dev"])).toBe("m_42_dev");
  });
});

describe("keyVaultSecretName", () => {
  it("keeps letters, digits and dashes", () => {
    expect(keyVaultSecretName("brewery-api")).toBe("brewery-api");
    expect(keyVaultSecretName("brewery_api.token")).toBe("brewery-api-token");
  });

  it("never returns an empty or over-long name", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (name) => {
        const result = keyVaultSecretName(name);
        expect(result).toMatch(/^[A-Za-z0-9-]{1,127}$/);
      }),
    );
  });
});

describe("azureResourceName limits", () => {
  it("fails if the limit leaves no room for the hash", () => {
    expect(() => azureResourceName(["brewery"], 10)).toThrow(
      "azureResourceName: max must be at least 16 to keep a hash, got 10",
    );
  });
});
