"""In: the project. Out: the site folder, incrementally: lifecycle and clashes decided, each
changed article read, paired, prepared and rendered; plus check, the ledger, serve."""
