"""In: articles and the catalogs of the newsroom's channel and show (already read: never the
network). Out: proposals, one per article and side (`paired`, `ambiguous`, `unmatched`,
`already`), assigned one to one. Pure: it reads no file, writes nothing and never decides
from anything but what it is given; `_catalogs` fills the catalogs, the API applies what a
producer accepts."""
