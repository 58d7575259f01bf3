import { cpfFromBase, isValidCpf } from "./cpf";

describe("cpf", () => {
  it("computes both check digits", () => {
    expect(cpfFromBase("529982247")).toBe("529.982.247-25");
    expect(cpfFromBase("111444777")).toBe("111.444.777-35");
  });

  it("accepts formatted and digit-only CPFs and rejects wrong digits, repeats and bad shapes", () => {
    expect(isValidCpf("529.982.247-25")).toBe(true);
    expect(isValidCpf("52998224725")).toBe(true);
    expect(isValidCpf("529.982.247-26")).toBe(false);
    expect(isValidCpf("111.111.111-11")).toBe(false);
    expect(isValidCpf("5299822472")).toBe(false);
  });

  it("fails if the base is not nine digits", () => {
    expect(() => cpfFromBase("12345")).toThrow('cpf: base must be nine digits, got "12345"');
  });
});
