#!/usr/bin/env python3
"""Validate the accounting export samples written by the Rust tests.

    EWOKISS_ACCOUNTING_SAMPLES=DIR cargo test -p ewokiss-domain accounting::tests::sample_files
    python scripts/validate-accounting-xml.py DIR

Needs the PyPI package `xmlschema` (pure Python; tested with 4.3). Works offline: the FA(3)
schema imports its type libraries from http://crd.gov.pl/... URLs, which are mapped to the
copies in docs/accounting/fa3/.

Checks, per file in DIR:
  erpxl-*.xml  against docs/accounting/ewokiss-erpxl-export.xsd, then the rules XSD 1.0 cannot
               express: Typ FSK <=> Korekta; StawkaVAT zw <=> PodstawaZwolnienia; per document the
               per-rate totals and Razem* equal the sums of the lines; line gross = net + VAT;
               header counts and SumaBrutto match.
  fa3-*.xml    against docs/accounting/fa3/schemat_FA(3)_v1-0E.xsd (the official FA(3) schema),
               then: P_15 = sum of P_11 + sum of P_14_*; P_19 present <=> some P_12 = zw;
               RodzajFaktury KOR <=> DaneFaKorygowanej.
Fails (exit 1) when any check fails or when DIR lacks an erpxl-*.xml or fa3-*.xml file.
"""

import sys
from decimal import Decimal
from pathlib import Path

import xmlschema

ROOT = Path(__file__).resolve().parent.parent
ERPXL_XSD = ROOT / "docs/accounting/ewokiss-erpxl-export.xsd"
FA3_DIR = ROOT / "docs/accounting/fa3"
FA3_XSD = FA3_DIR / "schemat_FA(3)_v1-0E.xsd"
ERP_NS = "{urn:ewokiss:accounting:erpxl-export:1}"
FA3_NS = "{http://crd.gov.pl/wzor/2025/06/25/13775/}"


def local_schema(url: str) -> str:
    """Maps the crd.gov.pl schema URLs to the local copies (by file name)."""
    if url.startswith("http://crd.gov.pl/") or url.startswith("https://crd.gov.pl/"):
        local = FA3_DIR / url.rsplit("/", 1)[-1]
        if local.exists():
            return str(local)
    return url


def check_erpxl(path: Path, schema) -> list:
    problems = []
    errors = list(schema.iter_errors(str(path)))
    if errors:
        return [f"{path.name}: {e.reason} at {e.path}" for e in errors[:20]]
    root = xmlschema.XMLResource(str(path)).root
    n = ERP_NS
    customers = root.findall(f"{n}Kontrahenci/{n}Kontrahent")
    documents = root.findall(f"{n}Dokumenty/{n}Dokument")
    header = root.find(f"{n}Naglowek")
    if int(header.find(f"{n}LiczbaKontrahentow").text) != len(customers):
        problems.append("LiczbaKontrahentow differs from the number of Kontrahent")
    if int(header.find(f"{n}LiczbaDokumentow").text) != len(documents):
        problems.append("LiczbaDokumentow differs from the number of Dokument")
    batch_gross = Decimal(0)
    for doc in documents:
        number = doc.find(f"{n}NumerObcy").text
        kind = doc.find(f"{n}Typ").text
        if (kind == "FSK") != (doc.find(f"{n}Korekta") is not None):
            problems.append(f"{number}: Typ {kind} and Korekta do not match")
        sums = {}
        net_total = vat_total = gross_total = Decimal(0)
        for line in doc.findall(f"{n}Pozycje/{n}Pozycja"):
            rate = line.find(f"{n}StawkaVAT").text
            basis = line.find(f"{n}PodstawaZwolnienia")
            if (rate == "zw") != (basis is not None):
                problems.append(f"{number} Lp {line.get('Lp')}: StawkaVAT {rate} and PodstawaZwolnienia do not match")
            net, vat, gross = (Decimal(line.find(f"{n}{f}").text) for f in ("WartoscNetto", "KwotaVAT", "WartoscBrutto"))
            if net + vat != gross:
                problems.append(f"{number} Lp {line.get('Lp')}: net + VAT != gross")
            key = (rate, basis.text if basis is not None else None)
            s = sums.setdefault(key, [Decimal(0)] * 3)
            s[0] += net
            s[1] += vat
            s[2] += gross
            net_total += net
            vat_total += vat
            gross_total += gross
        declared = {}
        for total in doc.findall(f"{n}PodsumowanieVAT/{n}Stawka"):
            basis = total.find(f"{n}PodstawaZwolnienia")
            key = (total.find(f"{n}StawkaVAT").text, basis.text if basis is not None else None)
            declared[key] = [Decimal(total.find(f"{n}{f}").text) for f in ("Netto", "VAT", "Brutto")]
        if declared != sums:
            problems.append(f"{number}: PodsumowanieVAT {declared} differs from the lines {sums}")
        razem = [Decimal(doc.find(f"{n}{f}").text) for f in ("RazemNetto", "RazemVAT", "RazemBrutto")]
        if razem != [net_total, vat_total, gross_total]:
            problems.append(f"{number}: Razem* {razem} differ from the lines")
        batch_gross += razem[2]
    if Decimal(header.find(f"{n}SumaBrutto").text) != batch_gross:
        problems.append("SumaBrutto differs from the sum of RazemBrutto")
    return [f"{path.name}: {p}" for p in problems]


def check_fa3(path: Path, schema) -> list:
    errors = list(schema.iter_errors(str(path)))
    if errors:
        return [f"{path.name}: {e.reason} at {e.path}" for e in errors[:20]]
    problems = []
    n = FA3_NS
    fa = xmlschema.XMLResource(str(path)).root.find(f"{n}Fa")
    lines = fa.findall(f"{n}FaWiersz")
    net = sum(Decimal(line.find(f"{n}P_11").text) for line in lines)
    vat = sum(Decimal(e.text) for e in fa if e.tag.startswith(f"{n}P_14_") and not e.tag.endswith("W"))
    if Decimal(fa.find(f"{n}P_15").text) != net + vat:
        problems.append(f"P_15 != sum of P_11 ({net}) + sum of P_14_* ({vat})")
    any_exempt = any(line.find(f"{n}P_12").text == "zw" for line in lines)
    exemption = fa.find(f"{n}Adnotacje/{n}Zwolnienie/{n}P_19")
    if any_exempt != (exemption is not None):
        problems.append("P_19 does not match the exempt lines")
    exempt_net = sum(Decimal(line.find(f"{n}P_11").text) for line in lines if line.find(f"{n}P_12").text == "zw")
    p13_7 = fa.find(f"{n}P_13_7")
    if any_exempt and (p13_7 is None or Decimal(p13_7.text) != exempt_net):
        problems.append("P_13_7 is not the sum of the exempt lines")
    kind = fa.find(f"{n}RodzajFaktury").text
    if (kind == "KOR") != (fa.find(f"{n}DaneFaKorygowanej") is not None):
        problems.append("RodzajFaktury and DaneFaKorygowanej do not match")
    return [f"{path.name}: {p}" for p in problems]


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    samples = Path(sys.argv[1])
    erpxl_files = sorted(samples.glob("erpxl-*.xml"))
    fa3_files = sorted(samples.glob("fa3-*.xml"))
    if not erpxl_files or not fa3_files:
        print(f"no erpxl-*.xml or fa3-*.xml in {samples}: did the Rust test write them?", file=sys.stderr)
        return 1
    erpxl_schema = xmlschema.XMLSchema10(str(ERPXL_XSD))
    fa3_schema = xmlschema.XMLSchema10(str(FA3_XSD), uri_mapper=local_schema)
    problems = []
    for path in erpxl_files:
        problems += check_erpxl(path, erpxl_schema)
    for path in fa3_files:
        problems += check_fa3(path, fa3_schema)
    for problem in problems:
        print(problem, file=sys.stderr)
    checked = len(erpxl_files) + len(fa3_files)
    if problems:
        print(f"FAILED: {len(problems)} problem(s) in {checked} file(s)", file=sys.stderr)
        return 1
    print(f"ok: {checked} file(s) valid ({', '.join(p.name for p in erpxl_files + fa3_files)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
