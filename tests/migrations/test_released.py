"""A migration that has been released never changes: a database already past it never runs it again, so new schema
goes into a new revision. (0027 and 0031 were released empty as reserved revisions and later filled on a branch:
a database at 0032 then lacked the prepaid columns and failed with "no such column". Their content is 0033/0034.)

Each released revision's code (its docstring aside) is pinned by a hash. When a session's work lands, add the
revisions it released to RELEASED; a test failure here means a released migration was edited.
"""

import ast
import hashlib
from pathlib import Path

import pytest

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"


def code_hash(path: Path) -> str:
    """The SHA-256 of the module's syntax tree without its docstring (wording may be corrected, code may not)."""
    module = ast.parse(path.read_text(encoding="utf-8"))
    if module.body and isinstance(module.body[0], ast.Expr) and isinstance(module.body[0].value, ast.Constant):
        module.body = module.body[1:]
    return hashlib.sha256(ast.dump(module, annotate_fields=False).encode()).hexdigest()


RELEASED = {
    "0001_initial_schema.py": "862cc587d747868158fa9790e25d7a6c73c08c1b69ed633e3ceeeefa27074380",
    "0002_sent_messages.py": "96adcfc9f439d563257a6d156c666fa5f41405121fa029cd8b4ea02593372588",
    "0003_invoice_list_indexes.py": "4bae3126703d59d88f1d539a26c8cb2c91f14585d3775d3840238febcedb9194",
    "0004_invoice_search_indexes.py": "e08755fbad9b18dc461e0569b8e66d350b9bbf3e3027f91b70318aadf24c15a8",
    "0005_invoice_amounts_index.py": "b51eb4d4168b9320baa73f012c03d728003a5177f5b72a0ad5a80124ffe8f3ab",
    "0006_customer_bank_account.py": "0b0e5b29090c6dce337c4b7904def532651d37fe306844a5b96622c6f7e628e5",
    "0007_audit_events_time_index.py": "5def89084c1c2347990ac91c110d69e21053d7425e5d0e56010e7bac98962894",
    "0008_never_reused_ids_discount_minor_units.py": "1957ab72424d54ead41c7c335904de58ae0017a45f5f2f82c78ebff72a37e53a",
    "0009_einvoice_parties.py": "a1855a00726e18923dc6f447656455deca7afcdc4a4aaee10218bc86df72b04f",
    "0010_iso4217_minor_units.py": "ae1c6c1d832b67cb580a1330ee3c30afd50bd4e918823bda913a42c4996e4e0c",
    "0011_receivables_covering_index.py": "3c3dd66ef76707f8e4a501edddd05bc8362c7bcf07adc6fce3b9bff7c5c627b2",
    "0012_service_dates_numeric_rates.py": "e9fdba62d03bd0a375afd3de5547c2c8315c8016777a834622adaa3ce76037e7",
    "0013_einvoice_line_detail.py": "991fe9f99885c30f0fc0148da14936b19ab4b7e66c4e7e0d124626676f329820",
    "0014_desktop_day_one.py": "e85ba9ffa84357cc4fa48dc381387ce2af6e78c1f6165e4d08b3bdaf64e53fee",
    "0015_recurring_quotes_deposits.py": "af8c0df554b149dcf64de5cf2e54592b42500fb07775b6c683c6bed09d4fc685",
    "0016_bank_reconciliation.py": "8e8c7f19390938ba5d02bf589ce0e70d28455fd7c2155aecb57e8dec6803c166",
    "0017_shared_server.py": "88f3276abfe091562599a6b650ce553efaf0000e4575da8326b4c8a8041308e9",
    "0018_speed.py": "80b00b8f4e6f0393d58fe0ec96ce698b050b6b20d19d0e441509dfdb55b847b9",
    "0019_einvoice_line_allowance_base.py": "6f815298e1b23bc4878b2eaace7f07a0e3774e26bc44c1802d5983c41a04e21e",
    "0020_server_payment_reference.py": "d14ae8ea85ffc97f6fcfa4f5ec84d9d2181b54ec0d7095e8a29ad8cad875af22",
    "0021_prepaid_final_invoice.py": "a4acf2eed7836d2fd87b87dd4faf2a7b3dd763f947ec0688675ca938177c402d",
    "0022_bank_second_round.py": "7eba7658e64cfae6f98bf0780c7bb159fa4f429664ce8259f02dfe2204b27722",
    "0023_start_summaries.py": "92238e076ff42ca22232415b2669f9a3ad221a7a21b7134717f249ed1c9fcef2",
    "0024_money_line_periods.py": "52d6682890cb86c15e2f8dbae067852f06a90929d8892bf67cd48faf18a8f461",
    "0025_payment_links.py": "7bdff4aa37553f13cd2cd7142c7fe28d3ce9dd8bab1e83430c02980ab90d0b17",
    "0026_money10d.py": "bb15033497f603ea096e9319deecda51306a5014fb511d6817325ad9762463f2",
    "0027_einv11c.py": "c91d73ef504362293fdac572f50ba9364ef3374c2bcad90ca0d325e24e68b7e4",
    "0028_pg13c.py": "cd6f2bf048703b915793847b7fc6c49755dda13b3948d2b1ca9279cca9b660d2",
    "0029_billing14c.py": "a50bf11247d504cdc3c0d5d2538b1b6e2757a600738a09d3ec55c03afc7e9b05",
    "0030_bank15c.py": "8d144b182b097ead35a7d04c6b614e94e9e97b5d1b1b55415c56cc4340bd102e",
    "0031_speed19c.py": "9bb6d62cb037d55acff274d8d79754cd43b0838f8d0a8f41a66de706ee511c9a",
    "0032_pg13d.py": "25ed801e9b5e09cfdc94f328b9e0cc61329f4a95f62fc3397100c1482ca4ec27",
    "0033_prepaid.py": "ebd26044d7b00db2aeb84a8d4c78ac02a2200d3811c3d3825da654d534f94ede",
    "0034_open_invoices_index.py": "f22a50ce29645f82595f25906dab290081e468685f4e61e3417a39f78beafc95",
    "0035_search_trigrams.py": "18b15433367be04bd11b109141e43c5f139763882e1d403fe2c91e43e119a357",
    "0036_amounts_index_prepaid.py": "31b227a3a9d46b10d2ebd1dbc32616544f17df61afa1683577eb743cc541046b",
    "0037_revenue_trigger_order.py": "7c3a2ffce7259dc2561fb98b340ac8d70c5707fcd72c7388567c9d2a7dd10540",
    "0038_sorted_list_indexes.py": "324fad242ae799719bc82e550d6d69b51e69509c51d8136e0e42e2f07c85330e",
}

#: the revenue rules migrations install from db/summaries.py (0023, 0029, 0037): SHA-256 of each rule's SQL
RELEASED_REVENUE_RULES = {
    "0023": "2d763700e6b1d4220843cc1cb3c39a4cc33268e26d0368d1a968209c276f6898",
    "0029": "7277162a401380310b0c3c4656911424f645b30e0fa4d046327cea6d136d6bf2",
    "0037": "e63fa38010772f35f3cc942feb1f8de023c0e6b74d68ac6ec834677d872ff18f",
}


@pytest.mark.parametrize("name", sorted(RELEASED))
def test_a_released_migration_is_unchanged(name: str) -> None:
    assert code_hash(VERSIONS / name) == RELEASED[name], f"{name} was released: put schema changes in a new revision"


def test_every_revision_up_to_the_last_released_is_pinned() -> None:
    last = max(RELEASED)
    found = {p.name for p in VERSIONS.glob("[0-9]*.py") if p.name <= last}
    assert found == set(RELEASED)


def test_a_released_revenue_rule_is_unchanged() -> None:
    """A migration installs a rule by its revision (db/summaries.py): the rule's SQL is as released, so a database
    migrated then and one migrated now keep the same triggers (a new rule gets a new revision and migration)."""
    from invoicer.db import summaries

    released = {revision: hashlib.sha256(summaries.CONTRIBUTIONS[revision].encode()).hexdigest()
                for revision in RELEASED_REVENUE_RULES}
    assert released == RELEASED_REVENUE_RULES
