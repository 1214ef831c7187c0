"""In: the project. Out: the site folder, incrementally: each changed article read,
paired, prepared and rendered (`engine` over the `seam` that `stages` fills), its state
and parts kept, the site written (`writer`). The build and nothing else: what is public
is `_lifecycle`'s, the preview server `_serve`'s, the commands' operations `_project`'s."""
