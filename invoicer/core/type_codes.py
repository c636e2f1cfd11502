"""Invoice type codes (UNTDID 1001) the workflows give a meaning of their own; one place for every layer."""

#: a partial invoice (326): delivered work billed during a project, revenue when issued
PARTIAL = "326"
#: a deposit (down-payment) invoice (386): work not yet done, an advance until the final invoice deducts it
DEPOSIT = "386"
