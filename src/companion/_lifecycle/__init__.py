"""In: identities, the clock and the ledger of what was published. Out: what is public:
each article's status (live, draft, scheduled), which of two claims to a slug or GUID
wins, the ledger, and where a moved feed or page went. The build, check and publish all
ask it; it asks nothing above the render."""
