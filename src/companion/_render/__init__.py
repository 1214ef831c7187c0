"""In: the model (`RenderEpisode`, `Show`). Out: the site's files as bytes and paths (RSS with
the podcast: namespace, pages and what they tell the platforms, show notes, feed rules);
pure: nothing is read or written."""
