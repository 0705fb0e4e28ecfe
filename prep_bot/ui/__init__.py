"""The Gradio app. Gradio is imported only in this package."""
