"""Reading pages as a browser would: the parsed tree, and the text of a page that must answer 200."""

import html5lib


def parse(content):
    return html5lib.parse(content, treebuilder="etree", namespaceHTMLElements=False)


def get_page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()
