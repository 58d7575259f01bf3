/** CPF check digits (mod 11), the rule the generated SQL checks; used to build valid and invalid samples. */

function checkDigit(digits: readonly number[]): number {
  const weight = digits.length + 1;
  const sum = digits.reduce((total, d, i) => total + d * (weight - i), 0);
  return ((sum * 10) % 11) % 10;
}

/** A formatted valid CPF (`ddd.ddd.ddd-dd`) from its first nine digits. */
export function cpfFromBase(base: string): string {
  if (!/^[0-9]{9}$/.test(base)) throw new Error(`cpf: base must be nine digits, got "${base}"`);
  const digits = [...base].map(Number);
  const first = checkDigit(digits);
  const second = checkDigit([...digits, first]);
  const all = `${base}${first}${second}`;
  return `${all.slice(0, 3)}.${all.slice(3, 6)}.${all.slice(6, 9)}-${all.slice(9)}`;
}

/** True for a valid CPF, formatted or digits only (the same rule as the SQL). */
export function isValidCpf(value: string): boolean {
  if (!/^[0-9]{3}[.]?[0-9]{3}[.]?[0-9]{3}-?[0-9]{2}$/.test(value)) return false;
  const digits = value.replace(/[^0-9]/g, "");
  if (/^(\d)\1{10}$/.test(digits)) return false;
  return cpfFromBase(digits.slice(0, 9)).replace(/[^0-9]/g, "") === digits;
}
