"""Image files: where they are kept, what an upload holds, and the renditions served."""
