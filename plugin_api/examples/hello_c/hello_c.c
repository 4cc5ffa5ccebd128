int hello_placeholder;
