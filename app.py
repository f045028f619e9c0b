"""snnviz — the Streamlit entry script: navigation and the shared sidebar, nothing else.

The page scripts live in ``app_pages/``, not ``pages/``: Streamlit treats a ``pages/`` folder next to the entry
script as a legacy multipage app until the first ``st.navigation`` call, so on a fresh server a visitor who opens
``/spikes`` directly would get the page without this script's navigation and sidebar.
"""

import streamlit as st

from snnviz.ui.sidebar import render_sidebar

st.set_page_config(page_title="snnviz", page_icon="⚡", layout="wide")

pages = {
    "Explore": [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/home:", default=True),
        st.Page("app_pages/samples.py", title="Samples", icon=":material/headphones:"),
        st.Page("app_pages/spikes.py", title="Spikes", icon=":material/bolt:"),
        st.Page("app_pages/hypersphere.py", title="Hypersphere", icon=":material/public:"),
        st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    ],
    "Learn": [st.Page("app_pages/learn.py", title="Learn SNNs", icon=":material/school:")],
}
navigation = st.navigation(pages)
render_sidebar()
navigation.run()
