"""The Textual user interface: renders snapshots from kdash.k8s and findings from kdash.health."""
