"""Text from the store or from a user, put into markdown safely."""


def plain(text: object) -> str:
    """Text from the store or a user, shown as written in markdown: no link, image, emphasis or formula it might
    contain takes effect (Streamlit never renders raw HTML from markdown either)."""
    return "".join("\\" + c if c in "\\*_$[]`#<>!|~" else c for c in str(text))
