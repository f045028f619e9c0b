"""snnviz — the Streamlit entry script: navigation and the shared sidebar, nothing else."""

import streamlit as st

from snnviz.ui.sidebar import render_sidebar

st.set_page_config(page_title="snnviz", page_icon="⚡", layout="wide")

pages = {
    "Explore": [
        st.Page("pages/overview.py", title="Overview", icon=":material/home:", default=True),
        st.Page("pages/samples.py", title="Samples", icon=":material/headphones:"),
        st.Page("pages/spikes.py", title="Spikes", icon=":material/bolt:"),
        st.Page("pages/hypersphere.py", title="Hypersphere", icon=":material/public:"),
        st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    ],
    "Learn": [st.Page("pages/learn.py", title="Learn SNNs", icon=":material/school:")],
}
navigation = st.navigation(pages)
render_sidebar()
navigation.run()
