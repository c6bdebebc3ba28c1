"""Streamlit UI helpers (the only package that imports streamlit and folium UI).

``offline``: vendored-asset folium maps; ``player_component``: the client-side
time player as a custom component. Core modules (``territory.player`` etc.)
stay importable without Streamlit for the CLI.
"""
