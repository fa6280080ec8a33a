"""The job of the unique jobs page."""


def rebuild_report(report_id):
    return {"report": report_id, "rebuilt": True}
